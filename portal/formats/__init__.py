"""Date and time formats (settings.FORMAT_MODULE_PATH): one way of writing a moment in both
languages, on the pages and in the admin alike (2026-11-30 00:57), where Django's own locales
would write 2026年11月30日 00:57 beside the templates' 2026-11-30 00:57."""
