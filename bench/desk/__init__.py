"""The reviewer's desk at volume: queue page server time, and a scripted reviewer in Chromium."""
