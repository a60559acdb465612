import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

from portal.search import warm_up  # noqa: E402 - needs the settings above

warm_up()  # jieba's dictionary, loaded before the first request rather than during it
