using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Causeway.Distribution.Install;
using KubeRest = Causeway.Kubernetes.Api.KubeApi;
using Causeway.Model.Loading;
using Microsoft.AspNetCore.Http;

namespace Causeway.Testing.KubeApi;

/// <summary>The REST side of the fake server: discovery, OpenAPI answers, CRUD, patches and Table responses.</summary>
public sealed partial class FakeApiServer
{
    private const string StrategicMergePatchType = "application/strategic-merge-patch+json";

    /// <summary>A request's target: the resource, the version it was addressed with, namespace, name and subresource.</summary>
    private readonly record struct Target(ServedResource Resource, string Version, string? Ns, string? Name, bool Status);

    private async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            await HandleCoreAsync(ctx);
        }
        finally
        {
            if (RequestLog is { } log) log.Enqueue($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString} -> {ctx.Response.StatusCode}");
        }
    }

    private async Task HandleCoreAsync(HttpContext ctx)
    {
        try
        {
            var path = ctx.Request.Path.Value ?? "";
            if (ctx.Request.Method == "GET" && Discovery.For(_catalog, path, $"127.0.0.1:{new Uri(Url).Port}") is { } doc)
            {
                await WriteAsync(ctx, 200, doc);
                return;
            }
            if (ctx.Request.Method == "GET" && OpenApiV3.For(_catalog, path) is { } openapi)
            {
                await WriteAsync(ctx, 200, openapi);
                return;
            }
            if (path.StartsWith("/openapi/", StringComparison.Ordinal))
                throw new ApiError(404, "NotFound", "the fake API server publishes no OpenAPI v2 document");
            var target = Parse(path) ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
            Authorize(ctx, target);
            await DispatchAsync(ctx, target);
            if (ctx.Request.Method != "GET") Resync(target.Resource.Key);
        }
        catch (ApiError e)
        {
            await WriteAsync(ctx, e.Code, StatusObject(e.Code, e.Reason, e.Message));
        }
        catch (System.Text.Json.JsonException e)
        {
            await WriteAsync(ctx, 400, StatusObject(400, "BadRequest", e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException and not IOException)
        {
            // A bug of the fake, not of its client: recorded so that tests can show it.
            InternalErrors.Enqueue($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}: {e}");
            await WriteAsync(ctx, 500, StatusObject(500, "InternalError", e.Message));
        }
    }

    private void Authorize(HttpContext ctx, Target t)
    {
        if (Rbac is not { } rbac) return;
        var method = ctx.Request.Method;
        var verb = method switch
        {
            "GET" when t.Name is null && IsWatch(ctx) => "watch",
            "GET" when t.Name is null => "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        var r = t.Resource;
        var resourceName = r.Plural + (t.Status ? "/status" : "");
        if (rbac.Allows(r.Group, resourceName, verb, r.Namespaced ? t.Ns : null)) return;
        var denied = $"{verb} {(r.Group.Length == 0 ? "core" : r.Group)}/{resourceName} {t.Ns ?? "(cluster)"}";
        Denied.Enqueue(denied);
        throw new ApiError(403, "Forbidden", $"{InstallBundle.ControllerUser(rbac.ControllerNamespace)} cannot {denied}");
    }

    private static bool IsWatch(HttpContext ctx) => ctx.Request.Query["watch"].FirstOrDefault() is "true" or "1";

    private async Task DispatchAsync(HttpContext ctx, Target t)
    {
        var r = t.Resource;
        var resource = r.Key;
        var nsKey = r.Namespaced ? t.Ns ?? "" : "";
        var method = ctx.Request.Method;
        var q = ctx.Request.Query;
        if (t.Name is null)
        {
            if (method == "GET" && IsWatch(ctx)) { await WatchAsync(ctx, t); return; }
            if (method == "GET")
            {
                var selectors = Selectors.Parse(q["fieldSelector"].FirstOrDefault(), q["labelSelector"].FirstOrDefault());
                var (rv, items) = _store.List(resource, r.Namespaced ? t.Ns : null);
                var matching = items.Where(selectors.Matches).Select(o => Versioned(o, t)).ToList();
                var rvText = rv.ToString(CultureInfo.InvariantCulture);
                if (TableConverter.Wanted(ctx.Request.Headers.Accept))
                    await WriteAsync(ctx, 200, TableConverter.Convert(r, matching, rvText, IncludeObject(ctx), DateTimeOffset.UtcNow), TableConverter.MediaType);
                else
                    await WriteAsync(ctx, 200, new JsonObject
                    {
                        ["apiVersion"] = r.ApiVersion(t.Version),
                        ["kind"] = r.Kind + "List",
                        ["metadata"] = new JsonObject { ["resourceVersion"] = rvText },
                        ["items"] = new JsonArray([.. matching]),
                    });
                return;
            }
            if (method == "POST")
            {
                var body = await ReadBodyAsync(ctx);
                var bodyNs = r.Namespaced ? t.Ns ?? body["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : "";
                if (IsDryRun(ctx)) { await WriteAsync(ctx, 201, body); return; }
                await WriteAsync(ctx, 201, Versioned(_store.Create(resource, bodyNs, body, q["fieldManager"].FirstOrDefault()), t));
                return;
            }
            throw new ApiError(405, "MethodNotAllowed", method);
        }
        switch (method)
        {
            case "GET":
            {
                var o = Versioned(_store.Get(resource, nsKey, t.Name) ?? throw NotFound(r, t.Name), t);
                if (TableConverter.Wanted(ctx.Request.Headers.Accept))
                    await WriteAsync(ctx, 200, TableConverter.Convert(r, [o], null, IncludeObject(ctx), DateTimeOffset.UtcNow), TableConverter.MediaType);
                else await WriteAsync(ctx, 200, o);
                return;
            }
            case "PUT":
            {
                var body = await ReadBodyAsync(ctx);
                if (IsDryRun(ctx)) { await WriteAsync(ctx, 200, body); return; }
                await WriteAsync(ctx, 200, Versioned(_store.Update(resource, nsKey, t.Name, body, t.Status, q["fieldManager"].FirstOrDefault()), t));
                return;
            }
            case "PATCH":
            {
                var contentType = ctx.Request.ContentType ?? "";
                var body = await ReadBodyAsync(ctx);
                var manager = q["fieldManager"].FirstOrDefault();
                JsonObject result;
                if (contentType.StartsWith(KubeRest.ApplyPatch, StringComparison.Ordinal))
                {
                    if (manager is null) throw new ApiError(422, "Invalid", "fieldManager is required for apply");
                    if (t.Status) throw new ApiError(415, "UnsupportedMediaType", "apply to status is not supported by the fake server");
                    if (IsDryRun(ctx)) { await WriteAsync(ctx, 200, body); return; }
                    result = _store.Apply(resource, nsKey, t.Name, body, manager);
                }
                else if (contentType.StartsWith(KubeRest.MergePatch, StringComparison.Ordinal) || contentType.StartsWith(StrategicMergePatchType, StringComparison.Ordinal))
                {
                    if (IsDryRun(ctx)) { await WriteAsync(ctx, 200, _store.Get(resource, nsKey, t.Name) ?? throw NotFound(r, t.Name)); return; }
                    result = _store.MergePatch(resource, nsKey, t.Name, body, t.Status, contentType.StartsWith(StrategicMergePatchType, StringComparison.Ordinal), manager);
                }
                else throw new ApiError(415, "UnsupportedMediaType", $"the fake server does not support patches of type {contentType}");
                await WriteAsync(ctx, 200, Versioned(result, t));
                return;
            }
            case "DELETE":
            {
                var options = ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0 ? await ReadBodyAsync(ctx, allowEmpty: true) : null;
                var orphan = options?["propagationPolicy"]?.GetValue<string>() == "Orphan" || options?["orphanDependents"]?.GetValue<bool>() == true
                             || q["propagationPolicy"].FirstOrDefault() == "Orphan";
                if (IsDryRun(ctx)) { await WriteAsync(ctx, 200, _store.Get(resource, nsKey, t.Name) ?? throw NotFound(r, t.Name)); return; }
                await WriteAsync(ctx, 200, Versioned(_store.Delete(resource, nsKey, t.Name, cascade: !orphan), t));
                return;
            }
            default:
                throw new ApiError(405, "MethodNotAllowed", method);
        }
    }

    private static ApiError NotFound(ServedResource r, string name) =>
        new(404, "NotFound", $"{(r.Group.Length == 0 ? r.Plural : $"{r.Plural}.{r.Group}")} \"{name}\" not found");

    private static bool IsDryRun(HttpContext ctx) => ctx.Request.Query["dryRun"].Count > 0;

    private static bool IncludeObject(HttpContext ctx) => ctx.Request.Query["includeObject"].FirstOrDefault() == "Object";

    /// <summary>The object as the addressed version shows it (every version shares one schema here: no conversion).</summary>
    private static JsonObject Versioned(JsonObject o, Target t)
    {
        o["apiVersion"] = t.Resource.ApiVersion(t.Version);
        o["kind"] = t.Resource.Kind;
        return o;
    }

    /// <summary>The request's target; null when the path names nothing the server serves.</summary>
    private Target? Parse(string path)
    {
        var seg = path.Trim('/').Split('/');
        int rest;
        string group, version;
        if (seg.Length >= 3 && seg[0] == "api") { group = ""; version = seg[1]; rest = 2; }
        else if (seg.Length >= 4 && seg[0] == "apis") { group = seg[1]; version = seg[2]; rest = 3; }
        else return null;
        var r = seg[rest..];
        string? ns = null;
        if (r.Length >= 3 && r[0] == "namespaces" && r[2] != "status") { ns = Uri.UnescapeDataString(r[1]); r = r[2..]; }
        var type = _catalog.Find(group, r[0]);
        if (type is null || (!type.Namespaced && ns is not null) || !type.Versions.Contains(version)) return null;
        return r.Length switch
        {
            1 => new Target(type, version, ns, null, false),
            2 => new Target(type, version, ns, Uri.UnescapeDataString(r[1]), false),
            3 when r[2] == "status" => new Target(type, version, ns, Uri.UnescapeDataString(r[1]), true),
            _ => null,
        };
    }

    private static JsonObject StatusObject(int code, string reason, string message) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Status",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["code"] = code,
        ["reason"] = reason,
        ["message"] = message,
    };

    /// <summary>A JSON body, or YAML (an <c>application/apply-patch+yaml</c> body may be either).</summary>
    private static async Task<JsonObject> ReadBodyAsync(HttpContext ctx, bool allowEmpty = false)
    {
        if (ctx.Request.ContentType?.Contains("protobuf", StringComparison.Ordinal) == true || ctx.Request.ContentType?.Contains("cbor", StringComparison.Ordinal) == true)
            throw new ApiError(415, "UnsupportedMediaType", $"the fake API server reads JSON and YAML bodies only, not {ctx.Request.ContentType}");
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        if (allowEmpty && string.IsNullOrWhiteSpace(text)) return [];
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{')) return JsonNode.Parse(text) as JsonObject ?? throw new ApiError(400, "BadRequest", "body is not a JSON object");
        return YamlJson.LoadAll(text).SingleOrDefault() as JsonObject ?? throw new ApiError(400, "BadRequest", "body is not one YAML object");
    }

    private static async Task WriteAsync(HttpContext ctx, int code, JsonObject body, string contentType = "application/json")
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = contentType;
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
    }
}
