using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Driftwatch.Execution.Sandbox;

/// <summary>
/// The one way out of a sandbox whose network is its own: a listener on 127.0.0.1:PORT inside the
/// sandbox's network namespace (made by a thread that joins the namespace just long enough to open
/// it), whose connections Driftwatch carries to one port on the host's loopback. Nothing else on
/// the machine, and nothing beyond it, is reachable from inside. Joining another network namespace
/// needs CAP_SYS_ADMIN (root); <see cref="Possible"/> says whether this process has it.
/// </summary>
internal sealed partial class EndpointForwarder : IAsyncDisposable
{
    private const int CloneNewNet = 0x40000000;
    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000;

    private readonly Socket _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _open = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;

    private EndpointForwarder(Socket listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        _accepting = AcceptAsync();
    }

    /// <summary>Whether this process may join other network namespaces (it runs as root).</summary>
    public static bool Possible => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    /// <summary>Opens 127.0.0.1:<paramref name="insidePort"/> in the network namespace of <paramref name="pid"/>, carried to the host's <paramref name="targetPort"/>.</summary>
    public static async Task<EndpointForwarder> StartAsync(int pid, int insidePort, int targetPort)
    {
        var listener = await ListenInNamespaceAsync(pid, insidePort).ConfigureAwait(false);
        return new EndpointForwarder(listener, targetPort);
    }

    private static Task<Socket> ListenInNamespaceAsync(int pid, int port)
    {
        var opened = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A namespace belongs to a thread: this one joins it, opens the socket there and ends.
        var thread = new Thread(() =>
        {
            try
            {
                var ns = Open($"/proc/{pid}/ns/net", OpenReadOnly | OpenCloseOnExec);
                if (ns < 0)
                    throw new IOException($"cannot open the network namespace of process {pid} (errno {Marshal.GetLastPInvokeError()})");
                try
                {
                    if (SetNamespace(ns, CloneNewNet) != 0)
                        throw new IOException($"cannot join the network namespace of process {pid} (errno {Marshal.GetLastPInvokeError()})");
                }
                finally
                {
                    _ = Close(ns);
                }
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(128);
                opened.SetResult(socket);
            }
            catch (Exception ex)
            {
                opened.SetException(ex);
            }
        })
        { IsBackground = true, Name = "driftwatch-sandbox-network" };
        thread.Start();
        return opened.Task;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = CarryAsync(client);
        }
    }

    /// <summary>Carries one connection both ways; a reset on one side resets the other, as if there were no hop between them.</summary>
    private async Task CarryAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_gate)
        {
            _open.Add(client);
            _open.Add(upstream);
        }
        var clean = true;
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token).ConfigureAwait(false);
            var up = PumpAsync(client, upstream);
            var down = PumpAsync(upstream, client);
            clean = (await Task.WhenAll(up, down).ConfigureAwait(false)).All(ok => ok);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            clean = false;
        }
        finally
        {
            foreach (var socket in new[] { client, upstream })
            {
                try
                {
                    if (!clean)
                        socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
                {
                    // Closed already by the pump that saw the break.
                }
                socket.Dispose();
            }
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }
        }
    }

    /// <summary>Copies until the source closes (then half-closes the destination); false when a side broke.</summary>
    private async Task<bool> PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false)) > 0)
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            to.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Break the other side too, so that it sees what this side saw.
            try
            {
                from.LingerState = new LingerOption(true, 0);
                to.LingerState = new LingerOption(true, 0);
                from.Close();
                to.Close();
            }
            catch (Exception inner) when (inner is ObjectDisposedException or SocketException)
            {
                // The other pump closed them first.
            }
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var socket in _open)
                socket.Dispose();
        }
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int type);
}
