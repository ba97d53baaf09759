package media

import (
	"context"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"
)

// OpenObject opens a whole object and describes it (size, content type,
// ETag) from the same response, so the description always matches the
// bytes read even when the object changes between a listing and the read.
func (s *Store) OpenObject(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	core := minio.Core{Client: s.client}
	body, info, _, err := core.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		if isNotFound(err) {
			return nil, Object{}, fmt.Errorf("%s: %w", key, ErrNotFound)
		}
		return nil, Object{}, fmt.Errorf("get %s: %w", key, err)
	}
	return body, Object{Key: key, Size: info.Size, ContentType: info.ContentType, ETag: info.ETag,
		LastModified: info.LastModified}, nil
}
