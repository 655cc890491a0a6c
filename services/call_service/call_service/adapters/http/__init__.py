"""HTTP clients: the webhook worker's checked connector and its signed POSTs."""
