"""Entry point of the server: the app factory (composition root), the `/` Socket.io namespace
and the settings read from the environment."""
