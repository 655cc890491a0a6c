"""Wire models shared by the call service, the realtime service and the dashboard."""
