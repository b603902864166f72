namespace Causeway.DataPlane.Policies.Jwt;

/// <summary>
/// <c>remoteJWKS</c>: the key set fetched over HTTP(S) in the background, kept in the data plane's StateStore so a
/// reload keeps the keys already fetched. It is fetched again every cache duration; a failed fetch is retried every
/// retry interval while the keys fetched before stay in use (an issuer that is down does not take the route down).
/// Requests only read <see cref="Current"/>: a fetch never blocks one.
/// </summary>
internal sealed class RemoteJwks : JwksSource, IDisposable
{
    private readonly Uri _uri;
    private readonly TimeSpan _cache;
    private readonly TimeSpan _retry;
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private JwtKeySet? _current;
    private int _started;

    public RemoteJwks(Uri uri, TimeSpan cacheDuration, TimeSpan retryInterval)
    {
        _uri = uri;
        _cache = cacheDuration;
        _retry = retryInterval;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public override JwtKeySet? Current
    {
        get
        {
            if (Volatile.Read(ref _started) == 0) Start();
            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Fetches that succeeded and failed so far (for tests and diagnostics).</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    public int Failures => Volatile.Read(ref _failures);

    private int _fetches;
    private int _failures;

    /// <summary>Starts the background refresh (idempotent).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        _ = Task.Run(() => RefreshLoopAsync(_stop.Token));
    }

    private async Task RefreshLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var wait = _cache;
            try
            {
                var json = await _http.GetStringAsync(_uri, stop).ConfigureAwait(false);
                var previous = Volatile.Read(ref _current);
                if (previous is null || previous.Json != json) Volatile.Write(ref _current, new JwtKeySet(json));
                Interlocked.Increment(ref _fetches);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ArgumentException or System.Text.Json.JsonException
                or InvalidOperationException)
            {
                Interlocked.Increment(ref _failures); // keep the keys we have; try again soon
                wait = _retry;
            }
            try
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _http.Dispose();
    }

    public override string Describe() => $"remote-jwks {_uri} cache={_cache.TotalSeconds}s";
}
