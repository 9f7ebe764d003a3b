"""The life-skills topics every hub starts with: codes and curriculum order only.

Their names and descriptions are gettext strings in hub.curriculum.service (SHIPPED), so the catalogs
translate them; the coordinator may write other words for a language, and add or archive topics.
"""

STATEMENTS = (
    """INSERT INTO topic (code, position) VALUES
        ('child_rights', 1),
        ('sexual_abuse', 2),
        ('trafficking', 3),
        ('street_safety', 4),
        ('substance_abuse', 5),
        ('leadership', 6),
        ('school_management', 7),
        ('life_skills', 8),
        ('parenting', 9)""",
)
