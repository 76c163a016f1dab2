"""CPU cost of reading one detail page (``collectors.parsers.details.parse_detail``)."""
