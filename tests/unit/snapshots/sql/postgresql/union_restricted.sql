SELECT "student_id" FROM (SELECT "student_id" FROM (SELECT "student_id" FROM "uni"."student" WHERE "dept" = %s UNION SELECT "student_id" FROM "uni"."student" WHERE "dept" = %s) AS "$1") AS "$2" WHERE (student_id < 1150)
-- params: ['CS', 'BIO']
