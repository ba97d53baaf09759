package deps

import (
	_ "github.com/asticode/go-astisub"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-pdf/fpdf"
	_ "github.com/gofiber/fiber/v2"
	_ "github.com/minio/minio-go/v7"
	_ "go.mongodb.org/mongo-driver/v2/mongo"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/text/collate"
	_ "golang.org/x/text/encoding/charmap"
)
