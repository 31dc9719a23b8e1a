import { asarray, blockwise, ones, setDefaults } from "tessera";
setDefaults({ scheduler: "threads", workers: 2, inlineBytes: 0 });
const x = asarray(new Float64Array(24).fill(1), { shape: [6, 4], chunks: [2, 3] });
const y = asarray(new Float64Array(12).fill(2), { shape: [4, 3], chunks: [2, 2] });
const mm = (p, q) => { const [n, k] = p.shape; const m = q.shape[1]; const out = new Float64Array(n * m); for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) out[i*m+j] += p.data[i*k+l] * q.data[l*m+j]; return out; };
const z = blockwise(mm, "ik", x, "ij", y, "jk", { dtype: "float64" });
const timer = setTimeout(() => { console.log("HANG matmul"); process.exit(1); }, 5000);
console.log((await z.compute({ onEvent: (e) => e.type !== "compute-start" && console.log(e.type, e.key, e.backend ?? "") })).data);
clearTimeout(timer);
