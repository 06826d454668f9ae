# The product lines the portal starts with (code, name, sort order). Data migrations and test
# fixtures that rebuild migrated data read them from here.
PRODUCT_LINES = [
    ("AC", "家用空调", 10),
    ("CAC", "中央空调", 20),
    ("WM", "洗衣机", 30),
    ("RF", "冰箱", 40),
    ("WH", "热水器", 50),
]
