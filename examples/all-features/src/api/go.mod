module example.com/features/api

go 1.23
