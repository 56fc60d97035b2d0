SELECT "student_id" FROM (SELECT "student_id" FROM (SELECT "student_id" FROM "uni.student" WHERE "dept" = ? UNION SELECT "student_id" FROM "uni.student" WHERE "dept" = ?) AS "$1") AS "$2" WHERE (student_id < 1150)
-- params: ['CS', 'BIO']
