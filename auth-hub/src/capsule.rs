//! [`Capsule`]: an event with who dispatched it, and [`EventSource`], the dispatcher's name.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Who dispatched an event: a client of the library (for the umbrella crate, one `auth::Auth`).
///
/// Amplify's Hub tells listeners the `source` of each event; several clients may share one
/// Hub (the [global](crate::global) one by default), so a listener that cares about one of
/// them compares sources. Each `EventSource::new` is a distinct source, even with the same
/// name: equality compares a process-unique id, and the name is for people (logs, UIs).
///
/// ```
/// use auth_hub::EventSource;
///
/// let admin = EventSource::new("admin");
/// assert_eq!(admin.name(), "admin");
/// assert_eq!(admin, admin.clone());
/// assert_ne!(admin, EventSource::new("admin"), "another client of the same name");
/// ```
#[derive(Clone)]
pub struct EventSource {
    id: u64,
    name: Arc<str>,
}

impl EventSource {
    /// A new source named `name`, distinct from every other source of the process.
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
        }
    }

    /// The name given at creation (for the umbrella's `Auth`: the name set on its builder,
    /// else the app client id, else the identity pool id).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process-unique id that tells two sources of the same name apart.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl PartialEq for EventSource {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for EventSource {}

impl std::hash::Hash for EventSource {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Debug for EventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventSource")
            .field("id", &self.id)
            .field("name", &&*self.name)
            .finish()
    }
}

impl fmt::Display for EventSource {
    /// Writes the name and the id: `admin#3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.name, self.id)
    }
}

/// An event as dispatched: the payload and its [`EventSource`] (Amplify's `HubCapsule`).
///
/// Received by [`Channel::listen_capsules`](crate::Channel::listen_capsules) and
/// [`Channel::subscribe_capsules`](crate::Channel::subscribe_capsules); the plain `listen` and
/// `subscribe` hand out the payload alone. The source is `None` for events dispatched through
/// a [`Channel`](crate::Channel) or the [`Hub`](crate::Hub) (an application's own events), and
/// the dispatcher's source for events dispatched by the library (see
/// [`AuthDispatcher::with_source`](crate::AuthDispatcher::with_source)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capsule<T> {
    /// The event.
    pub payload: T,
    /// Who dispatched it, when the dispatcher said.
    pub source: Option<EventSource>,
}

impl<T> Capsule<T> {
    pub(crate) fn new(payload: T, source: Option<EventSource>) -> Self {
        Self { payload, source }
    }

    /// Whether `source` dispatched this event.
    pub fn is_from(&self, source: &EventSource) -> bool {
        self.source.as_ref() == Some(source)
    }
}
