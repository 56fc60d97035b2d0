SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni.student" WHERE ("dept" IS NULL OR "dept" IN (?, ?))
-- params: ['CS', 'BIO']
