"""Training the shipped models from labels/ (source checkouts only): see __main__.py."""
