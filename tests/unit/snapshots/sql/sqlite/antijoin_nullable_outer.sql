SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni.student" WHERE NOT EXISTS (SELECT 1 FROM (SELECT "dept" AS "$c0" FROM "uni.#department") AS "$1" WHERE "$1"."$c0" = "dept")
-- params: []
