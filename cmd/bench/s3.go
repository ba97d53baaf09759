package main

import (
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// bucket is the portal's default S3_BUCKET.
const bucket = "webinars"

// newDirect is the baseline client: minio-go as the portal configures it
// (static V4 credentials, region us-east-1, plain HTTP on loopback), with
// room for conns idle connections so concurrent viewers reuse theirs.
func newDirect(endpoint, accessKey, secretKey string, conns int) (*minio.Client, error) {
	return newDirectWith(endpoint, accessKey, secretKey, benchTransport(conns))
}

func newDirectWith(endpoint, accessKey, secretKey string, tr *http.Transport) (*minio.Client, error) {
	return minio.New(endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(accessKey, secretKey, ""),
		Region:    "us-east-1",
		Transport: tr,
	})
}

// benchTransport is minio-go's default transport with conns idle
// connections per host; the portal client uses the same.
func benchTransport(conns int) *http.Transport {
	tr, _ := minio.DefaultTransport(false)
	tr.MaxIdleConns = conns + 16
	tr.MaxIdleConnsPerHost = conns + 16
	// A portal upload answers after the body is stored and probed.
	tr.ResponseHeaderTimeout = 15 * time.Minute
	return tr
}
