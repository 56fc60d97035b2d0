SELECT "dept", "dept_name", "building" FROM "uni"."#department" WHERE NOT EXISTS (SELECT 1 FROM (SELECT "dept" AS "$c0" FROM "uni"."student" WHERE "enroll_year" = %s) AS "$1" WHERE "$1"."$c0" = "dept")
-- params: [2020]
