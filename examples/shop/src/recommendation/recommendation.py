print("recommendation")
