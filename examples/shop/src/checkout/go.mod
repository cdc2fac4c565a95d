module example.com/shop/checkout

go 1.23
