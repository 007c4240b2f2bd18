"""Both sides of the file exchange, and reading result files into Arrow.

Hub side: ``request_file_write`` — one Parquet file per department with the keyed pseudonyms
of the persons asked about (never the identity number). Department side (the simulated
department, also used by ``safetynet departments serve``): ``department_answer`` — hashes its
own identity numbers with the same per-department key, keeps the rows asked about, and writes
one result file per dataset with ``pseudonym`` in place of ``id_number``. Result files may be
Parquet, CSV (UTF-8 or GBK) or .xlsx; ``result_read`` decodes them in Python into Arrow.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from safetynet.core import crypto
from safetynet.verification import fuzzy
from safetynet.verification.connectors import connector


def pseudonym(id_number: str, department: str) -> str:
    return crypto.blind_index(id_number, purpose=f"dept:{department}")


def pseudonyms(id_numbers: list[str], department: str) -> list[str]:
    """``pseudonym`` of many identity numbers at once (``crypto.blind_index_many``)."""
    return crypto.blind_index_many(id_numbers, purpose=f"dept:{department}").to_pylist()


def atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def request_file_write(path: Path, pseudonyms: list[str] | pa.Array | pa.ChunkedArray) -> None:
    """The request file: the distinct pseudonyms asked about, sorted."""
    unique = pc.unique(pa.array(pseudonyms, pa.string()) if isinstance(pseudonyms, list) else pseudonyms)
    table = pa.table({"pseudonym": unique.take(pc.sort_indices(unique))})
    atomic_write(path, lambda p: pq.write_table(table, p))


def department_answer(
    *, department: str, request_path: Path, datasets_dir: Path, out_dir: Path, fmt: str = "parquet"
) -> list[Path]:
    """The simulated department: answer a request file from its own datasets."""
    asked = pq.read_table(request_path).column("pseudonym")
    written = []
    for ds in connector(department).datasets:
        source = datasets_dir / f"{ds.name}.parquet"
        if not source.exists():
            continue
        table = pq.read_table(source)
        pseud = pa.array(pseudonyms(table.column("id_number").to_pylist(), department), pa.string())
        table = table.drop_columns(["id_number"]).append_column("pseudonym", pseud)
        table = table.filter(pc.is_in(table.column("pseudonym"), value_set=asked))
        table = fuzzy.simulated_unidentified(
            table, department=department, dataset=ds.name, datasets_dir=datasets_dir
        )
        written.append(result_write(table, out_dir / ds.name, fmt))
    return written


def result_write(table: pa.Table, stem: Path, fmt: str) -> Path:
    path = stem.with_suffix({"parquet": ".parquet", "csv": ".csv", "csv-gbk": ".csv", "xlsx": ".xlsx"}[fmt])
    if fmt == "parquet":
        atomic_write(path, lambda p: pq.write_table(table, p))
    elif fmt in ("csv", "csv-gbk"):
        buf = io.BytesIO()
        pacsv.write_csv(table, buf)
        data = buf.getvalue()
        if fmt == "csv-gbk":
            data = data.decode("utf-8").encode("gbk")
        atomic_write(path, lambda p: p.write_bytes(data))
    else:
        from openpyxl import Workbook

        def write(p):
            wb = Workbook(write_only=True)
            ws = wb.create_sheet()
            ws.append(table.column_names)
            for row in table.to_pylist():
                ws.append([row[c] for c in table.column_names])
            wb.save(p)

        atomic_write(path, write)
    return path


class FileRejected(ValueError):
    pass


def result_read(path: Path) -> pa.Table:
    """Decode a result file into an Arrow table (columns as found; strings for CSV/xlsx)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pq.read_table(path)
        if suffix == ".csv":
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("gbk")
                except UnicodeDecodeError as exc:
                    raise FileRejected("文件编码既不是 UTF-8 也不是 GBK") from exc
            opts = pacsv.ConvertOptions(strings_can_be_null=True, column_types=None)
            read = pacsv.ReadOptions(autogenerate_column_names=False)
            table = pacsv.read_csv(io.BytesIO(text.encode("utf-8")), read_options=read, convert_options=opts)
            return table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
        if suffix == ".xlsx":
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(path))
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
            if not rows:
                raise FileRejected("工作表为空")
            header = [str(h) for h in rows[0]]
            cols = {h: [None if r[i] == "" else str(r[i]) for r in rows[1:]] for i, h in enumerate(header)}
            return pa.table({h: pa.array(v, pa.string()) for h, v in cols.items()})
    except FileRejected:
        raise
    except Exception as exc:  # unreadable file: reject it whole, say why
        raise FileRejected(f"无法读取文件：{exc}") from exc
    raise FileRejected(f"不支持的文件类型：{suffix}")
