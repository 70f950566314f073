from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the visitor chose otherwise with the language switch (its cookie).

    Django's own middleware would follow the browser's Accept-Language; the platform speaks
    French first (DESIGN §1), and English to whoever asks for it. A signed-in person's own
    language is applied afterwards by `accounts.middleware.UserPreferencesMiddleware`.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not translation.check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
