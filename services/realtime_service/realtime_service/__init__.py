"""Realtime service: relays call events and alerts from Redis to Socket.io rooms."""
