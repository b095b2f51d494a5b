# ruff: noqa: E501  (one definition a line reads better than wrapped strings)
"""One-line definitions of the fixed vocabularies a model uses: element tags, data tags and sectors.

A tag is only useful if everyone means the same by it: threats match these words, so each has one
definition, shown in the JSON Schema (editors show it on completion), `threatlib library --tags` and the
catalogue. A test fails when a member has no definition.
"""

from __future__ import annotations

from enum import Enum

from threatlib.spec.model import DataTag, ElementTag
from threatlib.vocabulary import Sector

ELEMENT_TAGS: dict[ElementTag, str] = {
    ElementTag.mobile_app: "The app installed on a phone or tablet.",
    ElementTag.desktop_app: "The app installed on a computer.",
    ElementTag.in_app_browser: "A web browser inside the app that opens links in the app's own view, where the app can watch or change the pages.",
    ElementTag.update_channel: "The path by which new code or configuration reaches installed software.",
    ElementTag.content_recommendation: "Ranks posts, videos, news or other content into what each user sees: a content feed.",
    ElementTag.product_recommendation: "Suggests products, listings or sellers to buy from; a shopping recommender, not a content feed.",
    ElementTag.moderation: "Decides which content or accounts are removed, hidden, labelled or demoted.",
    ElementTag.access_gateway: "A proxy or gateway that approves, logs and limits access to data.",
    ElementTag.third_party_sdk: "Code from another company embedded in the app (analytics, ads, sign-in) that runs with the app's permissions.",
    ElementTag.admin_console: "Tools staff use to administer the systems or look up user data.",
    ElementTag.engineering: "Engineers and the systems they use to build, debug and operate the service.",
    ElementTag.data_centre: "A facility or cloud region where the service's servers and storage run.",
    ElementTag.edge: "Content-delivery or edge servers near users that end their connections and cache content.",
    ElementTag.os_service: "A service of the device's operating system (contacts, location, clipboard) that apps call.",
    ElementTag.security_software: "Antivirus or endpoint protection running with high privileges on a device.",
    ElementTag.ai_model: "A machine-learning model or chatbot that generates, ranks or classifies content.",
    ElementTag.auditor: "An independent party that inspects code, data or access on the users' behalf.",
    ElementTag.government_device: "A device a government body issues or its officials use for work.",
    ElementTag.marketplace: "Matches buyers with sellers' listings: search, listing pages, orders and seller tools.",
    ElementTag.payment_processing: "Takes, holds or moves money: checkout, wallet, card processing, payouts.",
}

DATA_TAGS: dict[DataTag, str] = {
    DataTag.account: "Sign-up and profile details: name, user name, email address, phone number.",
    DataTag.age: "A person's age or date of birth, declared or estimated.",
    DataTag.contacts: "The user's address book or list of people they know.",
    DataTag.precise_location: "Location to a street or building: GPS, precise Wi-Fi or cell positioning.",
    DataTag.coarse_location: "Location to a city or region: IP address geolocation, a country setting, a SIM's country.",
    DataTag.device_identifiers: "Identifiers of the device or its hardware, and advertising ids (IMEI, MAC address, IDFA, Android ID).",
    DataTag.biometric: "Face or voice prints and other body measurements that can identify a person.",
    DataTag.keystroke_dynamics: "How a person types (rhythm and timing of keystrokes), which can identify them.",
    DataTag.clipboard: "What the user has copied to the device's clipboard.",
    DataTag.messages: "Private messages between users.",
    DataTag.browsing_activity: "Web pages the user visits outside the app's own content (in an in-app browser, or tracked on other sites); not browsing inside the app.",
    DataTag.viewing_history: "Videos, posts or other content the user watched or read in the app.",
    DataTag.inferred_interests: "Interests, traits or audience segments the service infers about the user.",
    DataTag.user_content: "What users publish or upload: posts, videos, photos, comments, listings.",
    DataTag.installed_apps: "The list of other apps installed on the device.",
    DataTag.files: "Documents and other files on the device or in the user's storage.",
    DataTag.credentials: "Passwords, tokens, keys or other secrets that grant access.",
    DataTag.payment: "Card and bank details and other means of payment.",
    DataTag.security_telemetry: "What security software reports from a device: files scanned, threats found, system events.",
    DataTag.software_update: "Code or configuration sent to devices to change what the software does.",
    DataTag.conversation: "What a user says to a chatbot or assistant, and its replies.",
    DataTag.shopping_activity: "Products a user views, searches for, saves, puts in a basket or buys in the app; in-app shopping, not browsing on other sites.",
    DataTag.transactions: "Payments made or received: amounts, dates, counterparties and merchants.",
    DataTag.identity_document: "Identity documents and the results of identity checks (passport or ID card scans, know-your-customer checks).",
}

SECTORS: dict[Sector, str] = {
    Sector.electronic_communications: "Telecoms operators, internet access providers, and messaging or calling services.",
    Sector.online_platform: "Services that host or rank what users publish: social media, video, search, app stores.",
    Sector.cloud_hosting: "Data centres, cloud and hosting providers that run others' systems or store their data.",
    Sector.critical_infrastructure: "Organisations a state has designated critical (information) infrastructure; only when so designated.",
    Sector.security_software: "Makers of antivirus, endpoint and other security software that runs with high privileges on devices.",
    Sector.ai_service: "Providers of AI models, chatbots or assistants offered to the public.",
    Sector.marketplace: "Online marketplaces and shops where buyers find and pay for goods or services, including from other sellers.",
    Sector.payment_services: "Payment institutions, e-money issuers, wallets and card processors that hold or move users' money.",
}

# Schema name of each vocabulary -> its definitions, in the enum's order.
VOCABULARIES: dict[str, dict[Enum, str]] = {"ElementTag": ELEMENT_TAGS, "DataTag": DATA_TAGS, "Sector": SECTORS}

def definition(member: Enum) -> str:
    return VOCABULARIES[type(member).__name__][member]
