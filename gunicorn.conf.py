"""gunicorn settings shared by the three services (and by the benchmark's bare app)."""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 15
keepalive = 5
accesslog = None
errorlog = "-"
control_socket_disable = True  # several gunicorns run side by side on one machine
