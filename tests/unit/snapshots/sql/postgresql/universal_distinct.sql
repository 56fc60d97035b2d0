SELECT DISTINCT "dept" FROM "uni"."student"
-- params: []
