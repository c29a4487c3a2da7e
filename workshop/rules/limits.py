"""Length limits for every text a person types; the models and the validators share them."""

TITLE_MAX = 120
PRODUCT_MAX = 200
NAME_MAX = 60
DEPARTMENT_MAX = 60
NOTE_MAX = 200
RATIONALE_MAX = 240
EMAIL_MAX = 254
ROLE_MAX = 80
HANDOFF_NOTE_MAX = 2000
LINK_MAX = 500
LINKS_MAX = 10

MIN_MINUTES = 1
MAX_MINUTES = 120
# an innovation day: its title leaves room for each group's number in the group's title
DAY_TITLE_MAX = 100
GROUPS_MAX = 12
