"""The invented small businesses, sources and words the CallRail simulator draws its accounts
from, with the shape drift the real API shows: a tracker's `source` and `call_flow` objects
differ by kind, and some companies still carry the legacy fixed-offset zone `EST`.
"""

from __future__ import annotations

OWNER_ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London")
# "EST" is the legacy fixed-offset zone some old companies still carry.
COMPANY_ZONES = ("America/New_York", "EST", "America/Chicago", "America/Denver", "America/Phoenix")

BUSINESSES = (
    "Peachtree Dental", "Summit Roofing", "Harbor Law Group", "Lakeside HVAC",
    "Blue Ridge Realty", "Northside Auto Care", "Evergreen Landscaping", "Coastal Plumbing",
)  # fmt: skip
LOCATIONS = ("Downtown", "Northside", "Westview", "Airport", "Midtown", "Eastlake", "Riverside")
SOURCES = {  # source: medium, referrer domain, paid
    "Google Paid": ("cpc", "google.com", True), "Google Organic": ("organic", "google.com", False),
    "Bing Paid": ("cpc", "bing.com", True), "Bing Organic": ("organic", "bing.com", False),
    "Facebook Paid": ("paid_social", "facebook.com", True),
    "Yelp": ("referral", "yelp.com", False), "Direct": (None, None, False),
    "Direct Mail": (None, None, False),
}  # fmt: skip
SESSION_SOURCES = ("Google Paid", "Google Organic", "Google Organic", "Bing Organic", "Direct")
TRACKER_KINDS = (  # name, source, source object: its shape varies by kind
    ("Google Ads", "Google Paid", {"type": "search", "search_engine": "google", "paid": True}),
    ("Google Business Profile", "Google Organic", {"type": "google_my_business"}),
    ("Bing Ads", "Bing Paid", {"type": "search", "search_engine": "bing", "paid": True}),
    ("Facebook Ads", "Facebook Paid", {"type": "social", "social_network": "facebook"}),
    ("Yelp Listing", "Yelp", {"type": "referral", "referrer": "yelp.com"}),
    ("Spring Mailer", "Direct Mail", {"type": "offline", "description": "Postcard campaign"}),
)  # fmt: skip
SESSION_SOURCE_OBJECT = {"google": ["paid", "organic"], "bing": ["organic"], "direct": True}
CALL_FLOWS = (  # shapes vary by flow type
    {"type": "basic", "recording_enabled": True, "greeting_text": "Calls are recorded."},
    {"type": "ivr", "recording_enabled": False, "menu": {"greeting": "Press 1", "options": ["1"]}},
    {"type": "round_robin", "recording_enabled": True, "ring_seconds": 20},
)  # fmt: skip
KEYWORDS = ("emergency plumber", "dentist near me", "roof repair cost", "ac repair", "brake repair")
CAMPAIGNS = ("Brand - Exact", "Spring Promo", "Local Services", "Retargeting", "Competitor Terms")
PAGES = ("/", "/contact", "/services", "/specials", "/blog/how-much-does-it-cost", "/book-online")
TAG_NAMES = (
    "New Patient", "Existing Customer", "Quote Requested", "Spam", "Wrong Number", "Booked",
    "Follow Up", "Emergency", "Price Shopper", "Insurance Question", "Referral", "VIP",
    "Callback Requested", "Complaint", "Sales", "Support", "Billing", "Cancelled",
    "Voicemail Left", "Hiring",
)  # fmt: skip
NOTES = ("Wants a quote by Friday", "Asked about weekend hours", "Called back, no answer")
TEXTS = ("Hi, are you open Saturday?", "Thanks, see you then!", "Can I get a quote?", "STOP")
LEAD_STATUSES = (None, "good_lead", "not_a_lead", "previously_marked_good_lead")
