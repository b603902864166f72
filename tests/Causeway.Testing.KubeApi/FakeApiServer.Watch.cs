using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Causeway.Testing.KubeApi;

/// <summary>Watches: a stream of JSON lines <c>{"type": ..., "object": ...}</c>, each object a Table row when asked.</summary>
public sealed partial class FakeApiServer
{
    private async Task WatchAsync(HttpContext ctx, Target t)
    {
        Interlocked.Increment(ref _watchRequests);
        var resource = t.Resource.Key;
        var filterNs = t.Resource.Namespaced ? t.Ns : null;
        var q = ctx.Request.Query;
        var selectors = Selectors.Parse(q["fieldSelector"].FirstOrDefault(), q["labelSelector"].FirstOrDefault());
        var table = TableConverter.Wanted(ctx.Request.Headers.Accept);
        var includeObject = IncludeObject(ctx);
        var rvText = q["resourceVersion"].FirstOrDefault();
        var bookmarks = q["allowWatchBookmarks"] == "true";
        var timeout = int.TryParse(q["timeoutSeconds"].FirstOrDefault(), out var s) ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(30);
        var epoch = _stallEpoch;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _dropWatches.Token);
        cts.CancelAfter(timeout);
        var ct = cts.Token;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = table ? TableConverter.MediaType + ";stream=watch" : "application/json";

        Task Send(string type, JsonObject obj, CancellationToken token)
        {
            if (type is "ADDED" or "MODIFIED" or "DELETED")
            {
                obj = Versioned((JsonObject)obj.DeepClone(), t);
                if (table) obj = TableConverter.Convert(t.Resource, [obj], obj["metadata"]?["resourceVersion"]?.GetValue<string>(), includeObject, DateTimeOffset.UtcNow);
            }
            return SendAsync(ctx, type, obj, token);
        }

        int position;
        long seenRv; // the store's version up to which this watcher has been sent every event of its resource
        if (string.IsNullOrEmpty(rvText) || rvText == "0")
        {
            // No version: the current state as ADDED events, then changes.
            var (rv, items) = _store.List(resource, filterNs);
            foreach (var item in items.Where(selectors.Matches)) await Send("ADDED", item, ct);
            position = _store.PositionAfter(rv);
            seenRv = rv;
        }
        else
        {
            var rv = long.Parse(rvText, CultureInfo.InvariantCulture);
            if (rv < _store.CompactedRv)
            {
                await SendAsync(ctx, "ERROR", StatusObject(410, "Expired", $"too old resource version: {rv} ({_store.CompactedRv})"), CancellationToken.None);
                return;
            }
            position = _store.PositionAfter(rv);
            seenRv = rv;
        }
        await ctx.Response.Body.FlushAsync(ct);
        var lastBookmark = Environment.TickCount64;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = _store.Changed;
                if (_stallEpoch != epoch) { await Task.Delay(Timeout.Infinite, ct); return; }
                if (_holdEvents == 0)
                {
                    // One read of the log: what is appended after it is in the next batch, never skipped.
                    var (batch, end, rv) = _store.EventsFrom(position, resource, filterNs);
                    if (_reverseBatches == 1) batch.Reverse();
                    foreach (var (_, e) in batch)
                        if (selectors.Matches(e.Object)) await Send(e.Type, e.Object, ct);
                    position = end;
                    seenRv = rv;
                }
                if (bookmarks && Environment.TickCount64 - lastBookmark >= BookmarkInterval.TotalMilliseconds && _holdEvents == 0)
                {
                    lastBookmark = Environment.TickCount64;
                    await SendAsync(ctx, "BOOKMARK", new JsonObject
                    {
                        ["apiVersion"] = t.Resource.ApiVersion(t.Version),
                        ["kind"] = t.Resource.Kind,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = seenRv.ToString(CultureInfo.InvariantCulture) },
                    }, ct);
                }
                await Task.WhenAny(changed, Task.Delay(_holdEvents == 1 ? TimeSpan.FromMilliseconds(50) : BookmarkInterval, ct));
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    private static async Task SendAsync(HttpContext ctx, string type, JsonObject obj, CancellationToken ct)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
