using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Causeway.DataPlane.Policies.Jwt;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// One OIDC client of one policy, kept in the <see cref="StateStore"/> across reloads under its issuer, endpoints and
/// credentials: the provider's discovery document and key set fetched in the background (<c>{issuer}/.well-known/
/// openid-configuration</c>, then its <c>jwks_uri</c>; again every <see cref="RefreshInterval"/>, a failure retried
/// after a second while what was fetched before stays in use), the HTTP client for the token endpoint, the cookie
/// seal and the counters. Requests never wait for a fetch, except a login that finds nothing fetched yet.
/// </summary>
internal sealed class OidcRuntime : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly OidcIr _ir;
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _counts = new long[Enum.GetValues<OidcResult>().Length];
    private OidcMetadata? _current;
    private int _started;
    private int _refetch;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public OidcRuntime(OidcIr ir)
    {
        _ir = ir;
        Policy = ir.Policy;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), UseCookies = false, AllowAutoRedirect = false })
        {
            Timeout = Timeout,
        };
        var key = ir.CookieKey is { } k ? Convert.FromBase64String(k.Value) : Encoding.UTF8.GetBytes(ir.ClientSecret.Value);
        Seal = new OidcCookieSeal(key, ir.Policy, ir.ClientId);
    }

    public string Policy { get; }

    public OidcCookieSeal Seal { get; }

    /// <summary>Sessions already verified (see <see cref="OidcSession"/>).</summary>
    public OidcSession.Cache Sessions { get; } = new();

    /// <summary>The provider's endpoints and keys now, or null before the first fetch succeeded.</summary>
    public OidcMetadata? Current
    {
        get
        {
            if (Volatile.Read(ref _started) == 0) Start();
            return Volatile.Read(ref _current);
        }
    }

    public void Count(OidcResult result) => Interlocked.Increment(ref _counts[(int)result]);

    public long CountOf(OidcResult result) => Interlocked.Read(ref _counts[(int)result]);

    /// <summary>Starts the background fetches (idempotent).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        _ = Task.Run(() => RefreshLoopAsync(_stop.Token));
    }

    /// <summary>The metadata, waiting up to <paramref name="wait"/> for the first fetch; null when there is none by then.</summary>
    public async Task<OidcMetadata?> WaitAsync(TimeSpan wait)
    {
        if (Current is { } now) return now;
        await Task.WhenAny(_first.Task, Task.Delay(wait)).ConfigureAwait(false);
        return Volatile.Read(ref _current);
    }

    /// <summary>A token carried a key the key set lacks (rotated keys?): fetch again soon (at most once a second).</summary>
    public void KeysMissing() => Interlocked.Exchange(ref _refetch, 1);

    /// <summary>Asks for a fetch now and waits up to <paramref name="wait"/> for it: the metadata then (or what there was).</summary>
    public async Task<OidcMetadata?> RefetchAsync(TimeSpan wait)
    {
        var next = Volatile.Read(ref _next);
        KeysMissing();
        await Task.WhenAny(next.Task, Task.Delay(wait)).ConfigureAwait(false);
        return Volatile.Read(ref _current);
    }

    private async Task RefreshLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var wait = RefreshInterval;
            var fetched = DateTime.UtcNow;
            try
            {
                Volatile.Write(ref _current, await FetchAsync(stop).ConfigureAwait(false));
                _first.TrySetResult();
                Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException
                or ArgumentException or FormatException or KeyNotFoundException)
            {
                wait = RetryInterval; // keep what we have; try again soon
            }
            // Sleep until the next fetch is due, or until a request asks for one (not sooner than a second after this one).
            while (DateTime.UtcNow - fetched < wait && !(DateTime.UtcNow - fetched >= RetryInterval && Interlocked.Exchange(ref _refetch, 0) == 1))
            {
                try
                {
                    await Task.Delay(PollInterval, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<OidcMetadata> FetchAsync(CancellationToken stop)
    {
        string? authorization = _ir.AuthorizationEndpoint, token = _ir.TokenEndpoint, endSession = _ir.EndSessionEndpoint, jwksUri = null;
        var post = false;
        var issuer = _ir.Issuer;
        var discovery = await _http.GetStringAsync(new Uri(_ir.Issuer + "/.well-known/openid-configuration"), stop).ConfigureAwait(false);
        using (var doc = JsonDocument.Parse(discovery))
        {
            var root = doc.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            issuer = Text("issuer") ?? issuer;
            if (issuer.TrimEnd('/') != _ir.Issuer) throw new InvalidOperationException($"the discovery document names issuer {issuer}, not {_ir.Issuer}");
            authorization ??= Text("authorization_endpoint");
            token ??= Text("token_endpoint");
            endSession ??= Text("end_session_endpoint");
            jwksUri = Text("jwks_uri");
            if (root.TryGetProperty("token_endpoint_auth_methods_supported", out var methods) && methods.ValueKind == JsonValueKind.Array)
            {
                var names = methods.EnumerateArray().Select(m => m.GetString()).ToList();
                post = !names.Contains("client_secret_basic") && names.Contains("client_secret_post");
            }
        }
        if (authorization is null || token is null) throw new InvalidOperationException("the discovery document names no authorization or token endpoint");
        JwtKeySet? keys = null;
        if (jwksUri is not null)
        {
            var json = await _http.GetStringAsync(new Uri(jwksUri), stop).ConfigureAwait(false);
            var previous = Volatile.Read(ref _current)?.Keys;
            keys = previous is not null && previous.Json == json ? previous : new JwtKeySet(json);
        }
        return new OidcMetadata(issuer, authorization, token, endSession, keys, post);
    }

    /// <summary>
    /// Posts a grant to the token endpoint with the client's credentials (client_secret_basic, or client_secret_post
    /// when that is all the provider offers): the token response, or null and why (never the secret).
    /// </summary>
    public async Task<(JsonElement? Response, string? Error)> TokenAsync(OidcMetadata metadata, List<KeyValuePair<string, string>> form)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, metadata.TokenEndpoint);
            if (metadata.ClientSecretPost)
            {
                form.Add(new("client_id", _ir.ClientId));
                form.Add(new("client_secret", _ir.ClientSecret.Value));
            }
            else
            {
                var basic = Uri.EscapeDataString(_ir.ClientId) + ":" + Uri.EscapeDataString(_ir.ClientSecret.Value);
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
            }
            foreach (var r in _ir.Resources) form.Add(new("resource", r));
            request.Content = new FormUrlEncodedContent(form);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            cts.CancelAfter(Timeout);
            using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return (null, $"token endpoint answered {(int)response.StatusCode}{ErrorCode(body)}");
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, "token endpoint answered no JSON object");
            return (doc.RootElement.Clone(), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or JsonException or ObjectDisposedException)
        {
            return (null, "token endpoint unreachable: " + e.GetType().Name);
        }
    }

    private static string ErrorCode(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? $" ({e.GetString()})" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _http.Dispose();
    }

    public string Describe() => $"issuer={_ir.Issuer}";
}
