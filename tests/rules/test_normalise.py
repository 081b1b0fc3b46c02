"""Imported values made comparable: dates and company domains."""

from datetime import date, datetime

import pytest


def test_dates_in_the_formats_exports_use():
    from workbench.rules.normalise import moment

    for text, expected in [("2026-11-23", datetime(2026, 11, 23)),
                           ("2026-11-23T14:05:00Z", datetime(2026, 11, 23, 14, 5)),
                           ("2026-11-23T14:05:00+01:00", datetime(2026, 11, 23, 14, 5)),
                           ("11/23/2026", datetime(2026, 11, 23)),
                           ("23/11/2026", datetime(2026, 11, 23)),
                           ("23.11.2026", datetime(2026, 11, 23)),
                           ("Nov 23, 2026", datetime(2026, 11, 23)),
                           ("9/14/2026 3:05 PM", datetime(2026, 9, 14, 15, 5)),
                           ("1795435200000", datetime(2026, 11, 23, 12))]:
        assert moment(text) == expected, text
    assert date(2026, 11, 23) == moment("23 November 2026").date()


def test_company_domains_from_addresses_and_emails():
    from workbench.rules.normalise import domain_of

    for text, expected in [("https://www.Acme.com/about", "acme.com"), ("acme.io", "acme.io"),
                           ("HTTP://shop.acme.de:8080/x", "shop.acme.de"),
                           ("jane@Acme.co.uk", "acme.co.uk"), ("www.acme.com/", "acme.com")]:
        assert domain_of(text) == expected, text
    for text in ("Acme Corp", "localhost", "1x://acme"):
        with pytest.raises(ValueError):
            domain_of(text)
