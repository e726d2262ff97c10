from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Every list pages: `page` and `page_size` (at most 500), `FIREGRID_PAGE_SIZE` rows by default."""

    page_size = settings.FIREGRID_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500
