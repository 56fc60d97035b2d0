SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international", "dept_name", "building" FROM "uni"."student" LEFT JOIN "uni"."#department" USING ("dept")
-- params: []
