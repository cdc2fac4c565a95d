print("email")
