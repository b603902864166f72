using Causeway.DataPlane.Filters;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Policies.ClientTraffic;

/// <summary>
/// A listener's ClientTrafficPolicy <c>lateResponseHeaders</c> (a <see cref="HeaderEdits"/> compiled once per apply
/// by <see cref="ListenerClientPolicy"/>) applied to what each transport sends last: the HTTP/1.1 byte transports edit
/// the relayed response head after the route's steps (<c>Http1Exchange.WriteResponseHead</c>) and their own replies
/// through <see cref="Edit"/>; Kestrel edits the response headers when the response starts (<see cref="Register"/>),
/// whoever wrote them (YARP, a local reply, Kestrel's own 500).
/// </summary>
internal static class LateResponseHeaders
{
    /// <summary>A copy of <paramref name="reply"/> (replies may be shared) with the late edits applied; Content-Type is one of its headers.</summary>
    public static LocalReply Edit(LocalReply reply, HeaderEdits late)
    {
        var copy = new LocalReply(reply.Status) { Body = reply.Body, Final = reply.Final };
        if (reply.ContentType is { } type) copy.Headers.Add(new("Content-Type", type));
        copy.Headers.AddRange(reply.Headers);
        var editor = copy.Editor();
        late.Apply(ref editor);
        return copy;
    }

    /// <summary>Runs <paramref name="late"/> on the response's headers when it starts: after every other edit.</summary>
    public static void Register(HttpResponse response, HeaderEdits late) => response.OnStarting(Apply, new State(late, response));

    private static readonly Func<object, Task> Apply = static o =>
    {
        var s = (State)o;
        s.Late.Apply(s.Response.Headers);
        return Task.CompletedTask;
    };

    private sealed record State(HeaderEdits Late, HttpResponse Response);
}
