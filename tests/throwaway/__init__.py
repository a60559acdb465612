"""A throwaway domain app, installed by tests/settings.py only: one model, one transition table,
one policy. tests/portal/test_throwaway_app.py shows it gets clocks, the board, notices, scoping,
the admin actions and the security matrix from portal/ by declaration alone."""
