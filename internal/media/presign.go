package media

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Presigner hands out short-lived GET URLs for objects, reusing a URL
// until a quarter of its lifetime is left so browsers and caches see
// stable addresses.
type Presigner struct {
	client *minio.Client
	bucket string
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]presigned
}

type presigned struct {
	url     string
	expires time.Time
}

// NewPresigner makes URLs valid for ttl (1 minute to 7 days, S3's limit)
// that point at publicEndpoint (host:port as browsers reach the S3
// server; cfg.Endpoint when empty). Signing happens locally: the region
// is fixed so no request is needed.
func NewPresigner(cfg Config, publicEndpoint string, publicSSL bool, ttl time.Duration) (*Presigner, error) {
	endpoint, secure := cfg.Endpoint, cfg.UseSSL
	if publicEndpoint != "" {
		endpoint, secure = publicEndpoint, publicSSL
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: secure, Region: region,
	})
	if err != nil {
		return nil, fmt.Errorf("presign client for %s: %w", endpoint, err)
	}
	return &Presigner{client: client, bucket: cfg.Bucket, ttl: ttl, now: time.Now, cache: map[string]presigned{}}, nil
}

// URL returns a presigned GET URL for key and how long a client may
// cache the redirect to it. A non-empty disposition (a Content-Disposition
// value) is what S3 answers the download with.
func (p *Presigner) URL(ctx context.Context, key, disposition string) (string, time.Duration, error) {
	now := p.now()
	margin := p.ttl / 4
	cacheKey := key + "\x00" + disposition
	p.mu.Lock()
	entry, ok := p.cache[cacheKey]
	p.mu.Unlock()
	if !ok || entry.expires.Sub(now) <= margin {
		params := url.Values{}
		if disposition != "" {
			params.Set("response-content-disposition", disposition)
		}
		u, err := p.client.PresignedGetObject(ctx, p.bucket, key, p.ttl, params)
		if err != nil {
			return "", 0, fmt.Errorf("presign %s: %w", key, err)
		}
		entry = presigned{url: u.String(), expires: now.Add(p.ttl)}
		p.mu.Lock()
		if len(p.cache) > 10000 {
			p.cache = map[string]presigned{} // bounded; refills on demand
		}
		p.cache[cacheKey] = entry
		p.mu.Unlock()
	}
	return entry.url, entry.expires.Sub(now) - margin, nil
}
