"""The call domain: state machine and rules as pure functions. No I/O, no clock reads."""
