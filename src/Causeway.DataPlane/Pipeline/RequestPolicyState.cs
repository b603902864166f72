using System.Net;
using System.Text;

namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// Per-exchange state of the policy steps, owned by the transport's exchange (one per HTTP/1.1 connection, reset per
/// request; one per Kestrel request): the client address the steps read, the rate-limit headers a passed request's
/// response carries, and the circuit-breaker slots (request, retry) the exchange holds until the completion hook releases them.
/// </summary>
internal sealed class RequestPolicyState
{
    private IPAddress? _client;
    private byte[]? _clientAscii;
    private IPAddress? _detected;
    private CircuitBreakerGate? _held;
    private RetryLimit? _heldRetry;
    private EndpointBalancer? _balancer;
    private int _endpoint;
    private Policies.RateLimit.Global.ResponseCharge? _responseCharge;

    /// <summary>
    /// Sets the connection's client address: its peer, or the source a PROXY protocol header carried (parsed lazily
    /// from the ASCII form the byte transports keep).
    /// </summary>
    public void SetClient(IPAddress? address, byte[]? ascii = null)
    {
        _client = address;
        _clientAscii = ascii;
    }

    /// <summary>The current request's original client, found by the listener's client IP detection (until the next request).</summary>
    public void Detect(IPAddress address) => _detected = address;

    /// <summary>The address detected for the current request, or null (the peer is the client).</summary>
    public IPAddress? Detected => _detected;

    /// <summary>The client's address as policies see it: the detected one, else the peer (<see cref="PeerAddress"/>).</summary>
    public IPAddress? ClientAddress => _detected ?? PeerAddress;

    /// <summary>The connection's client address (IPv4-mapped IPv6 addresses as IPv4), or null when unknown.</summary>
    public IPAddress? PeerAddress
    {
        get
        {
            if (_client is null && _clientAscii is { Length: > 0 } ascii && IPAddress.TryParse(Encoding.ASCII.GetString(ascii), out var parsed)) _client = parsed;
            if (_client is { IsIPv4MappedToIPv6: true } mapped) _client = mapped.MapToIPv4();
            return _client;
        }
    }

    /// <summary>Whether <see cref="Limit"/>, <see cref="Remaining"/> and <see cref="ResetSeconds"/> are to be sent.</summary>
    public bool HasRateLimitHeaders { get; private set; }
    public long Limit { get; private set; }
    public long Remaining { get; private set; }
    public long ResetSeconds { get; private set; }

    /// <summary>Records the strictest bucket's view for the response (the one with the fewest requests left).</summary>
    public void OfferRateLimit(long limit, long remaining, long resetSeconds)
    {
        if (HasRateLimitHeaders && remaining >= Remaining) return;
        HasRateLimitHeaders = true;
        Limit = limit;
        Remaining = remaining;
        ResetSeconds = resetSeconds;
    }

    /// <summary>The exchange now holds a slot of <paramref name="gate"/>, released by <see cref="Complete"/>.</summary>
    public void Hold(CircuitBreakerGate gate)
    {
        _held?.Release();
        _held = gate;
    }

    /// <summary>
    /// The exchange is about to retry under <paramref name="limit"/>: the slot of its previous retry (if any) is given
    /// back first, then a slot is taken, held until <see cref="Complete"/> or the next retry. False: none is free.
    /// </summary>
    public bool TryHoldRetry(RetryLimit limit)
    {
        ReleaseRetry();
        if (!limit.TryEnter()) return false;
        _heldRetry = limit;
        return true;
    }

    private void ReleaseRetry()
    {
        var held = _heldRetry;
        _heldRetry = null;
        held?.Release();
    }

    /// <summary>What a global rate limit charges once the exchange is over (<c>cost.response</c>), run by <see cref="Complete(int, bool)"/>.</summary>
    public void ChargeAfterResponse(Policies.RateLimit.Global.ResponseCharge charge) => _responseCharge = charge;

    /// <summary>
    /// The exchange goes to endpoint <paramref name="index"/> of <paramref name="balancer"/> (already counted in flight
    /// there); an endpoint held before (an earlier attempt) is given back without an outcome.
    /// </summary>
    public void HoldEndpoint(EndpointBalancer balancer, int index)
    {
        ReleaseEndpoint(0, false);
        _balancer = balancer;
        _endpoint = index;
    }

    /// <summary>
    /// The current attempt on the held endpoint ended with <paramref name="status"/> (or a connect failure): the
    /// outcome counts towards the endpoint's passive health and the endpoint is released.
    /// </summary>
    public void ReleaseEndpoint(int status, bool localOrigin)
    {
        var balancer = _balancer;
        _balancer = null;
        balancer?.Completed(_endpoint, status, localOrigin);
    }

    /// <summary>The exchange is over: releases what it held (idempotent), without an outcome for the endpoint.</summary>
    public void Complete() => Complete(0, false);

    /// <summary>
    /// The completion hook: the exchange ended with <paramref name="status"/> (0: no outcome, e.g. the client went
    /// away), <paramref name="localOrigin"/> when the backend could not be connected; releases what it held.
    /// </summary>
    public void Complete(int status, bool localOrigin)
    {
        var held = _held;
        _held = null;
        held?.Release();
        ReleaseRetry();
        ReleaseEndpoint(status, localOrigin);
        var charge = _responseCharge;
        _responseCharge = null;
        charge?.Send();
    }

    /// <summary>The completion hook's summary as an outcome for the held endpoint.</summary>
    public void Complete(in ExchangeSummary summary)
    {
        var local = summary.Failure is UpstreamFailure.ConnectFailed or UpstreamFailure.ConnectTimeout;
        Complete(summary.Aborted && !local && summary.Status < 500 ? 0 : summary.Status, local);
    }

    /// <summary>The unfinished decision of an <see cref="AsyncDecideStep"/> (set with <see cref="StepVerdict.Pending"/>).</summary>
    public ValueTask<DecideOutcome> Pending { get; set; }

    /// <summary>The index, in <see cref="RoutePlan.Decisions"/>, of the step whose decision is pending.</summary>
    public int PendingStep { get; set; } = -1;

    /// <summary>Takes the pending decision (to be awaited once; a ValueTask may not be consumed twice).</summary>
    public ValueTask<DecideOutcome> TakePending()
    {
        var pending = Pending;
        Pending = default;
        return pending;
    }

    /// <summary>Forgets the previous request (releasing anything still held) and keeps the client.</summary>
    public void ResetForRequest()
    {
        Pending = default;
        PendingStep = -1;
        Complete();
        HasRateLimitHeaders = false;
        RequestEdits?.Clear();
        Tokens?.Clear();
        _detected = null;
    }

    /// <summary>
    /// Header edits the authentication steps decided for this request on its way to the backend (user name, client
    /// id, claims, credentials removed), applied after the route's own request header edits; null or empty: none.
    /// </summary>
    public List<(HeaderText Name, HeaderText? Value)>? RequestEdits { get; private set; }

    public bool HasRequestEdits => RequestEdits is { Count: > 0 };

    /// <summary>Removes every <paramref name="name"/> header from the request the backend gets.</summary>
    public void RemoveRequestHeader(HeaderText name) => (RequestEdits ??= []).Add((name, null));

    /// <summary>Sets <paramref name="name"/> (replacing what the client sent) on the request the backend gets.</summary>
    public void SetRequestHeader(HeaderText name, string value)
    {
        var edits = RequestEdits ??= [];
        edits.Add((name, null));
        edits.Add((name, new HeaderText(value)));
    }

    /// <summary>Adds a <paramref name="name"/> line (after any the client sent) to the request the backend gets.</summary>
    public void AppendRequestHeader(HeaderText name, string value) => (RequestEdits ??= []).Add((name, new HeaderText(value)));

    /// <summary>Applies <see cref="RequestEdits"/> to the request's headers.</summary>
    public void ApplyRequestEdits<TEditor>(ref TEditor headers) where TEditor : struct, IHeaderEditor
    {
        if (RequestEdits is not { Count: > 0 } edits) return;
        foreach (var (name, value) in edits)
        {
            if (value is null) headers.RemoveAll(name, keep: false);
            else headers.Add(name, value, afterKept: false);
        }
    }

    /// <summary>The JWTs validated for this request, by provider name (what authorization rules read).</summary>
    public Dictionary<string, ValidatedToken>? Tokens { get; private set; }

    public void AddToken(string provider, ValidatedToken token) => (Tokens ??= new(StringComparer.Ordinal))[provider] = token;
}
