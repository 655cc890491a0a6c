"""HTTP entry point: app factory, routes, handlers, middleware."""
