export const dynamic = "force-dynamic";

export default function HomePage() {
  return (
    <div>
      <h1>Connections</h1>
    </div>
  );
}
