"""Chinese first: pages are in Simplified Chinese unless the person chose another language.

Django's LocaleMiddleware would follow the browser's Accept-Language; a technician's phone set
to English would then get an English portal nobody around them uses. Here only an explicit
choice (the language switch, stored in a cookie) changes the language of pages. The API keeps
following Accept-Language, as integrators expect."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
