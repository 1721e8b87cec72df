package io.l0sparsify.dataset;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Downloads the file of an {@code s3:} or {@code https:} dataset into a file, at most
 * {@code l0.datasets.max-upload-size} of it, and says its SHA-256. HTTPS redirects are followed only on the same
 * host and scheme (at most {@value #MAX_REDIRECTS}): the allow-list names hosts, and a redirect must not lead
 * past it.
 */
public final class DatasetFetcher {

    private static final int MAX_REDIRECTS = 5;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /** Time to the response's headers; the body may take as long as its size needs. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(2);

    /** A body that delivers nothing for this long is abandoned: a stalled server must not hold a worker. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("dataset-fetch-watchdog").factory());

    private final HttpClient http;
    private final Optional<S3Client> s3;
    private final long maxBytes;
    private final Duration stallTimeout;

    public DatasetFetcher(HttpClient http, Optional<S3Client> s3, long maxBytes) {
        this(http, s3, maxBytes, STALL_TIMEOUT);
    }

    DatasetFetcher(HttpClient http, Optional<S3Client> s3, long maxBytes, Duration stallTimeout) {
        this.http = http;
        this.s3 = s3;
        this.maxBytes = maxBytes;
        this.stallTimeout = stallTimeout;
    }

    /** The client datasets are fetched with by default: the JDK's, redirects handled here, never by it. */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Writes the object to {@code target} and returns its SHA-256. */
    public String fetch(DatasetSource.S3Object object, Path target) throws IOException {
        String where = "s3://" + object.bucket() + "/" + object.key();
        S3Client client = s3.orElseThrow(() -> new DatasetReferenceException("this worker has no S3 client"
                + " (l0.storage.type=s3 configures one) to read " + where));
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(object.bucket())
                .key(object.key()))) {
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                throw new DatasetReferenceException(where + " is " + length + " bytes, larger than " + maxBytes
                        + " bytes (l0.datasets.max-upload-size), the most a fetched dataset may be");
            }
            return DatasetCache.copyWithDigest(in, target, maxBytes, where);
        } catch (NoSuchKeyException e) {
            throw new DatasetReferenceException(where + " does not exist");
        } catch (SdkException e) {
            throw new DatasetReferenceException(where + " cannot be read: " + e.getMessage());
        }
    }

    /** Writes the file at {@code uri} to {@code target} and returns its SHA-256. */
    public String fetch(DatasetSource.Remote remote, Path target) throws IOException {
        URI uri = remote.uri();
        for (int redirects = 0; ; redirects++) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).GET().build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + uri, e);
            } catch (IOException e) {
                throw new DatasetReferenceException(uri + " cannot be fetched: " + describe(e));
            }
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status / 100 == 3) {
                    uri = sameOriginRedirect(remote.uri(), uri, response, redirects);
                    continue;
                }
                if (status != 200) {
                    throw new DatasetReferenceException(uri + " answered HTTP " + status + " instead of the file");
                }
                long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (length > maxBytes) {
                    throw new DatasetReferenceException(uri + " is " + length + " bytes, larger than " + maxBytes
                            + " bytes (l0.datasets.max-upload-size), the most a fetched dataset may be");
                }
                return copyWatched(body, target, uri);
            }
        }
    }

    /**
     * Copies the body while a watchdog checks, every stall timeout, that bytes still arrive; one that stalls is
     * closed (which ends the blocked read) and the fetch refused.
     */
    private String copyWatched(InputStream body, Path target, URI uri) throws IOException {
        AtomicLong received = new AtomicLong();
        AtomicBoolean stalled = new AtomicBoolean();
        InputStream counting = new FilterInputStream(body) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    received.addAndGet(n);
                }
                return n;
            }
        };
        long[] lastSeen = {-1};
        long period = stallTimeout.toMillis();
        ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
            long now = received.get();
            if (now == lastSeen[0] && stalled.compareAndSet(false, true)) {
                try {
                    body.close();
                } catch (IOException e) {
                    // closing is all that is wanted; the fetch fails below either way
                }
            }
            lastSeen[0] = now;
        }, period, period, TimeUnit.MILLISECONDS);
        try {
            String digest = DatasetCache.copyWithDigest(counting, target, maxBytes, uri.toString());
            if (stalled.get()) {
                throw stalledRefusal(uri, received.get());
            }
            return digest;
        } catch (IOException e) {
            if (stalled.get()) {
                throw stalledRefusal(uri, received.get());
            }
            throw e;
        } finally {
            watch.cancel(false);
        }
    }

    private DatasetReferenceException stalledRefusal(URI uri, long received) {
        return new DatasetReferenceException(uri + " stopped sending after " + received + " bytes; nothing arrived"
                + " for " + stallTimeout.toSeconds() + " s");
    }

    private static URI sameOriginRedirect(URI original, URI current, HttpResponse<?> response, int redirects) {
        String location = response.headers().firstValue("Location").orElseThrow(() ->
                new DatasetReferenceException(current + " answered HTTP " + response.statusCode()
                        + " without a Location"));
        URI next = current.resolve(location);
        boolean sameOrigin = "https".equalsIgnoreCase(next.getScheme()) && next.getHost() != null
                && next.getHost().toLowerCase(Locale.ROOT).equals(original.getHost().toLowerCase(Locale.ROOT))
                && next.getPort() == original.getPort();
        if (!sameOrigin) {
            throw new DatasetReferenceException(current + " redirects to " + next + "; redirects are followed only"
                    + " on the same https host");
        }
        if (redirects >= MAX_REDIRECTS) {
            throw new DatasetReferenceException(original + " redirects more than " + MAX_REDIRECTS + " times");
        }
        return next;
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : "the connection failed";
    }
}
