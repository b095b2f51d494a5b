"""Words shared by every stage: the enums that the model format and the library both use."""

from __future__ import annotations

from enum import Enum


class Sector(str, Enum):
    """Kinds of organisation that some laws single out; a provision limited to sectors reaches only those."""

    electronic_communications = "electronic_communications"  # telecoms operators, ISPs, messaging and calling
    online_platform = "online_platform"  # social media, video, search, app platforms
    cloud_hosting = "cloud_hosting"  # data centres, cloud and hosting providers
    critical_infrastructure = "critical_infrastructure"  # designated critical information infrastructure
    security_software = "security_software"
    ai_service = "ai_service"
    marketplace = "marketplace"
    payment_services = "payment_services"


# Tags that were split or renamed, and what to use instead: a model using one gets this hint.
RENAMED = {
    "recommendation": "'recommendation' was split: use content_recommendation for a feed of posts, videos or news, "
                      "or product_recommendation for a shopping recommender",
}
