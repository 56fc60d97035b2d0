SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni"."student" WHERE ("dept" = %s AND "enroll_year" = %s)
-- params: ['CS', 2021]
