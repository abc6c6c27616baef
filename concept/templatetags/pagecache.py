"""{% pagecache "name" [value …] %} … {% endpagecache %}: a fragment of a concept's page,
cached until the concept's data changes (concept.pagecache).

The view may pass `cache_fill`, a function returning the context the fragment needs
(the expensive reads): it is called only when the fragment is not in the cache, so a
cached page costs neither the queries nor the rendering. Further values after the name
become part of the key.

The fragment must depend on the person only through their role: never put the user menu,
messages or anything else personal inside (a fragment about the person, such as
Maßnahmenverantwortliche's own measures, adds `request.user.pk` after its name).
CSRF tokens inside are fine: they are filled in per response.
"""

from django import template
from django.utils.safestring import mark_safe

from concept import pagecache

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name, extra):
        self.nodelist = nodelist
        self.name = name
        self.extra = extra

    def render(self, context):
        request = context.get("request")
        concept = context.get("concept")
        fill = context.get("cache_fill")
        cacheable = request is not None and getattr(concept, "data_version", None) is not None
        key = None
        if cacheable:
            key = pagecache.fragment_key(
                request,
                concept,
                self.name,
                [value.resolve(context) for value in self.extra],
            )
            html = pagecache.cache().get(key)
            if html is not None:
                return mark_safe(pagecache.with_csrf_token(html, request))
        filled = _filled(request, fill)
        with context.push(filled, csrf_token=pagecache.CSRF_PLACEHOLDER):
            html = self.nodelist.render(context)
        if key is not None:
            pagecache.cache().set(key, html)
        if request is None:
            # Without a request there is no person to give a token to; the tag renders
            # as Django's would without one.
            return mark_safe(html.replace(pagecache.CSRF_PLACEHOLDER, ""))
        return mark_safe(pagecache.with_csrf_token(html, request))


def _filled(request, fill):
    """What cache_fill returns, once per request however many fragments miss."""
    if not callable(fill):
        return {}
    if request is None:
        return fill()
    done = request.__dict__.setdefault("_pagecache_filled", {})
    if id(fill) not in done:
        done[id(fill)] = (fill, fill())  # the function is kept so its id stays unique
    return done[id(fill)][1]


@register.tag("pagecache")
def do_pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% pagecache %} braucht einen Namen.")
    name = bits[1].strip("\"'")
    extra = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, name, extra)
