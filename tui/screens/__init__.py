"""The app's screens: library, reader, dialogs, help, error."""
