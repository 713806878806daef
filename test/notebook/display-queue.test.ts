import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deliver, type DisplaySink, flushDisplays, type QueuedBundle, waitingDisplays } from "../../lib/notebook/display-queue";

const bundle = (text: string, id?: string): QueuedBundle => ({
  data: { "text/plain": text },
  metadata: {},
  ...(id ? { transient: { display_id: id } } : {}),
});

/** A sink that records what it sends, and throws zeromq's EBUSY while `busy` is above 0 (counting down per try). */
function busySink(): { sink: DisplaySink; sent: string[]; busy: { left: number } } {
  const sent: string[] = [];
  const busy = { left: 0 };
  const sink: DisplaySink = (b, update) => {
    if (busy.left > 0) {
      busy.left--;
      throw Object.assign(new Error("Socket is busy writing; only one send operation may be in progress at any time"), {
        code: "EBUSY",
      });
    }
    sent.push(`${update ? "update" : "display"} ${String(b.data["text/plain"])}`);
  };
  return { sink, sent, busy };
}

describe("deliver(sink, bundle, update) and flushDisplays()", () => {
  it("sends at once while the socket is free (flushDisplays resolves at once)", async () => {
    const { sink, sent } = busySink();
    deliver(sink, bundle("a"), false);
    assert.deepEqual(sent, ["display a"]);
    assert.equal(waitingDisplays(), 0);
    await flushDisplays();
  });

  it("keeps messages that meet a busy socket, in order, and sends them on the next turns of the event loop", async () => {
    const { sink, sent, busy } = busySink();
    busy.left = 3;
    deliver(sink, bundle("first"), false);
    deliver(sink, bundle("second"), false);
    deliver(sink, bundle("third"), false);
    assert.deepEqual(sent, []);
    assert.equal(waitingDisplays(), 3);
    await flushDisplays();
    assert.deepEqual(sent, ["display first", "display second", "display third"]);
    assert.equal(waitingDisplays(), 0);
  });

  it("replaces a waiting update of the same display with the newest content, but never jumps over other messages", async () => {
    const { sink, sent, busy } = busySink();
    busy.left = 1;
    deliver(sink, bundle("curves 1", "c"), false);
    deliver(sink, bundle("curves 2", "c"), true);
    deliver(sink, bundle("curves 3", "c"), true);
    deliver(sink, bundle("a table"), false);
    deliver(sink, bundle("curves 4", "c"), true);
    await flushDisplays();
    assert.deepEqual(sent, ["display curves 3", "display a table", "update curves 4"], "a display not shown yet stays a new display");
  });

  it("passes on any error other than a busy socket", () => {
    const broken: DisplaySink = () => {
      throw new Error("socket closed");
    };
    assert.throws(() => deliver(broken, bundle("x"), false), /socket closed/);
    assert.equal(waitingDisplays(), 0);
  });
});
