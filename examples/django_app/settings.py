"""Settings of the Django example: one app-less project with one view, no database."""

SECRET_KEY = "graphinpaint-example-not-secret"       # an example: set your own in production
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "django_app.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict = {}
USE_TZ = True

# What the view accepts (413 above either; the pixel count is read from the file's header).
GRAPHINPAINT_MAX_BYTES = 16 * 2**20
GRAPHINPAINT_MAX_PIXELS = 4_000_000
# Django keeps uploads up to this size in memory, larger ones in a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = GRAPHINPAINT_MAX_BYTES
